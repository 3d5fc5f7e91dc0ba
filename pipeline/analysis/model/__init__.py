"""The sentiment model: base conversion (`convert`), training (`train`) and evaluation (`evaluate`)."""
