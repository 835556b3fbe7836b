"""Which content folder, and which town or village in it, a path names (范围): `sitegen check content/xg/cs`.

Apart from scope.py (what a scope's report holds, its mirror for the live preview), which reads the model: this is
the first thing `sitegen check` asks, before it knows whether anything changed, so it imports only paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ScopeError(Exception):
    """A plain message for the clerk (Chinese, then English): the folder named is not inside a content folder."""


@dataclass(frozen=True)
class Scope:
    content: Path  # the content folder (it holds site.yaml)
    part: str = ""  # "" the whole content, "TOWN" one town, "TOWN/VILLAGE" one village

    @property
    def label(self) -> str:
        return self.part or self.content.name


def locate(path: Path) -> Scope:
    """The content folder holding `path` (itself, or the nearest parent with site.yaml) and the town or village
    folder `path` names inside it. A path with no site.yaml above is taken as the content folder itself (its
    missing site.yaml is then reported as before)."""
    path = path.resolve()
    for folder in [path, *path.parents]:
        if (folder / "site.yaml").is_file():
            parts = path.relative_to(folder).parts
            if len(parts) > 2:
                raise ScopeError(
                    f"{path} 不是镇或村的文件夹，请写村文件夹（如 content/xiagang/changshou） / "
                    f"not a town or village folder; name a village folder (like content/xiagang/changshou)"
                )
            if parts and not (folder / parts[0] / "town.yaml").is_file():
                raise ScopeError(
                    f"{folder / parts[0]} 里没有 town.yaml，不是镇（街道）的文件夹 / "
                    f"has no town.yaml: not a town folder"
                )
            if len(parts) == 2 and not (path / "village.yaml").is_file():
                raise ScopeError(
                    f"{path} 里没有 village.yaml，不是村的文件夹 / has no village.yaml: not a village folder"
                )
            return Scope(folder, "/".join(parts))
    return Scope(path)
