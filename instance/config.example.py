# Copy to instance/config.py. Every name here can also be set as a REGISTRY_<NAME>
# environment variable, which wins over this file.

# DATABASE_URL = "sqlite:////srv/registry/registry.db"
# DATABASE_URL = "postgresql://registry@db.internal/registry"
# SECRET_KEY = "a long random string shared by every web host"
# HARVEST_ALLOW_LOCAL = False    # local paths submitted through the web or API
# HARVEST_ALLOW_PRIVATE = False  # private or loopback addresses in submitted URLs
# HARVEST_TIMEOUT = 120          # seconds for one clone
