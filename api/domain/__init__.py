"""The domain's vocabulary: dataclasses and enums every layer imports."""
