"""Administration screens (admins only): products, queues and users."""
