"""What demo posts say: the objects people shoot, titles, tags, equipment and
conditions, picked at random the way real captions vary."""

from __future__ import annotations

import functools

import numpy as np

from skyframe import catalogue

# What people shoot, by how they name it; the catalogue resolves the names
# exactly as it does for uploads.
TARGETS = [
    ("M31", "deep-sky"),
    ("M33", "deep-sky"),
    ("M42", "deep-sky"),
    ("M45", "deep-sky"),
    ("M51", "deep-sky"),
    ("M81", "deep-sky"),
    ("M101", "deep-sky"),
    ("M27", "deep-sky"),
    ("M57", "deep-sky"),
    ("M13", "deep-sky"),
    ("M8", "deep-sky"),
    ("M16", "deep-sky"),
    ("M20", "deep-sky"),
    ("M1", "deep-sky"),
    ("NGC 7000", "deep-sky"),
    ("NGC 6960", "deep-sky"),
    ("NGC 2237", "deep-sky"),
    ("IC 1805", "deep-sky"),
    ("IC 1396", "deep-sky"),
    ("IC 434", "deep-sky"),
    ("NGC 891", "deep-sky"),
    ("NGC 4565", "deep-sky"),
    ("Jupiter", "planetary"),
    ("Saturn", "planetary"),
    ("Mars", "planetary"),
    ("Venus", "planetary"),
    ("Moon", "lunar"),
    ("Sun", "solar"),
    ("Milky Way", "nightscape"),
    ("Orion rising over the hills", "nightscape"),
    ("Comet 12P/Pons-Brooks", "comet"),
    ("Perseids", "meteor"),
    ("Geminids", "meteor"),
    ("Aurora", "aurora"),
]


TAGS = [
    "narrowband",
    "lrgb",
    "widefield",
    "osc",
    "hoo",
    "sho",
    "mosaic",
    "firstlight",
    "bortle4",
    "bortle7",
    "dslr",
    "refractor",
    "newtonian",
    "sct",
    "eaa",
    "luckyimaging",
    "starless",
    "drizzle",
    "halpha",
    "oiii",
    "backyard",
    "darksite",
    "starparty",
    "moonless",
]


TITLE_SHAPES = [
    "{label}",
    "{label} {place}",
    "{label} in {palette}",
    "First light: {label}",
    "{label}, {hours} hours of data",
    "{label} on a {night} night",
    "Another go at {label}",
]


PLACES = ["from my backyard", "from a dark site", "from the city", "at the star party"]


PALETTES = ["narrowband", "HOO", "SHO", "LRGB", "natural colour", "hydrogen alpha"]


NIGHTS = ["clear", "cold", "windy", "moonlit", "humid", "perfect"]


TELESCOPES = [
    "an 80mm refractor",
    "a RedCat 51",
    "a Celestron C8",
    "an 8-inch Newtonian",
    "an Esprit 100",
    "a 150mm Maksutov",
    "a 300mm telephoto lens",
]


CAMERAS = [
    "an ASI2600MC",
    "an ASI533MC",
    "an ASI294MM",
    "a Canon 6D",
    "a Nikon Z6",
    "an ASI183MM",
    "a QHY268M",
]


SOFTWARE = [
    "Siril",
    "PixInsight",
    "DeepSkyStacker",
    "Astro Pixel Processor",
    "AutoStakkert",
    "GraXpert and Photoshop",
]


CONDITIONS = [
    "Seeing was excellent.",
    "Some high clouds came through.",
    "The Moon was up, so I used filters.",
    "Transparency was superb.",
    "Dew was a problem all night.",
    "Guiding at 0.6 arcseconds RMS.",
]


@functools.cache
def catalogue_targets() -> list[tuple[str, str | None, str | None, str]]:
    resolved = [(name, catalogue.resolve(name), category) for name, category in TARGETS]
    return [
        (name, found.id if found else None, found.common_name if found else None, category)
        for name, found, category in resolved
    ]


def pick(options: list[str], rng) -> str:
    return options[int(rng.integers(len(options)))]


def caption(name: str, common: str | None, rng) -> tuple[str, str, list[str]]:
    """A title, notes and tags as astrophotographers write them: popular tags
    far more often than rare ones."""
    label = common or name
    if common and rng.random() < 0.3:
        label = f"{name}, the {common}" if rng.random() < 0.5 else name
    title = pick(TITLE_SHAPES, rng).format(
        label=label,
        place=pick(PLACES, rng),
        palette=pick(PALETTES, rng),
        hours=int(rng.integers(1, 30)),
        night=pick(NIGHTS, rng),
    )
    notes = (
        f"Shot with {pick(TELESCOPES, rng)} and {pick(CAMERAS, rng)}, "
        f"stacked in {pick(SOFTWARE, rng)}. {pick(CONDITIONS, rng)}"
    )
    count = int(rng.integers(0, 4))
    picks = np.minimum(rng.zipf(1.6, size=count), len(TAGS)) - 1
    tags = list(dict.fromkeys(TAGS[int(i)] for i in picks))
    return title, notes, tags
