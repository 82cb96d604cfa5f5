"""Views rendered into formats other tools read: TimelineJS 3 JSON, CSV."""
