"""Posts: their details, their life from upload to deletion, and how listings read them."""
