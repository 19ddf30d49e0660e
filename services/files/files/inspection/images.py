"""Pixel bombs and broken images, read from the image's header without decoding its pixels."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from files.domain.policy import Limits, Refusal

# Pillow's format names, so that only the claimed format's plugin may open the file.
FORMATS = {"gif": "GIF", "jpeg": "JPEG", "jpg": "JPEG", "png": "PNG"}
# Pillow warns past 89 Mpx (and refuses past 179 Mpx); our lower limit refuses those anyway, so the
# warning is only noise. Set once at import: catch_warnings() per call would race between threads.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def check_image(path: Path, extension: str, limits: Limits) -> Refusal | None:
    """Whether the image opens as its claimed format within ``limits.max_pixels``.

    Image.open only parses headers (pixels decode on load()); verify() walks PNG chunks and their
    CRCs without inflating them, and is a no-op for GIF and JPEG.
    """
    try:
        picture = Image.open(path, formats=[FORMATS[extension]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # the latter if made an error
        return Refusal("image_too_large", limits.max_pixels)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return Refusal("image_broken")
    with picture:
        width, height = picture.size
        if width * height > limits.max_pixels:
            return Refusal("image_too_large", limits.max_pixels, f"{width}x{height}")
        if width < 1 or height < 1:
            return Refusal("image_broken")
        try:
            picture.verify()
        except (OSError, SyntaxError, ValueError, EOFError):
            return Refusal("image_broken")
    return None
