"""The Chongming demo population: `generator` makes it (pure, seeded), `loader` writes it (`manage.py load_demo`)."""
