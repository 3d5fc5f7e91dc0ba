"""responses package."""
