"""The API's routers, one per resource. `quotery.api.api` mounts them under /api/v1/."""
