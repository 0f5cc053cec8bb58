"""The one-text check shared by cleaning, segmentation and the jieba tokenizer."""

__all__ = ["check_str"]


def check_str(text, name="text"):
    """Raise TypeError unless ``text`` is a str (with a decoding hint for bytes)."""
    if not isinstance(text, str):
        hint = " Decode bytes first, e.g. b.decode('utf-8')." if isinstance(text, bytes) else ""
        raise TypeError(f"{name} must be a str; got {type(text).__name__}.{hint}")
