"""Hand-written demo material (YAML), read by pipeline.demo.writer."""
