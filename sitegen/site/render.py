"""Stage 5, render (生成网页): the planned pages through a theme's Jinja templates, to bytes.

Templates hold presentation only; everything they show is computed in the model, ledger and links stages.
Every clerk string passes through `privacy.mask` on its way out (the environment's finalize hook), and is
autoescaped, so text can never become markup.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any, Self

from jinja2 import ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateModule
from jinja2.nodes import Expr, Extends, Node
from jinja2.runtime import Context, Macro, missing, new_context
from markupsafe import Markup, escape

from sitegen.content.markdown import link_target, render_markdown
from sitegen.content.model import City, Item
from sitegen.content.money import wan, yuan
from sitegen.content.privacy import mask
from sitegen.images.renditions import Rendition

try:  # markupsafe's escaping as a plain str, without making a Markup of it (markupsafe >= 2.1)
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover

    def _escape_inner(s: str, /) -> str:
        return str(escape(s))


from sitegen.site.channels import Said, words_for
from sitegen.site.code import renderer
from sitegen.site.pages import ItemPage, Page
from sitegen.site.plan import Site

THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"
THEMES = ("tv", "mobile")


def _finalizer(theme: str) -> Callable[[Any], Any]:
    """The environment's finalize hook: every value a template prints, before it is escaped. Clerk text is masked
    (privacy.mask), a Said is put in this theme's words. Called for every {{ }} of every page: the common case
    (a plain str) is tested first."""

    def finalize(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return mask(value)
        if kind is Markup or kind is int:
            return value
        if isinstance(value, Said):  # a sentence that says how to act: in this theme's words (channels.py)
            value = value.for_theme(theme)
        if isinstance(value, str) and not isinstance(value, Markup):
            return mask(value)
        return value

    return finalize


# How many printed strings _printer remembers at most (then it starts again): a village's pages print ~60 strings
# each, of only ~7 distinct a page (labels, the city's name, paths, widths), so most are found again.
PRINTED_KEPT = 50_000


def _printer(finalize: Callable[[Any], Any]) -> Callable[[Any], str]:
    """What a template prints for a value: `str(escape(finalize(value)))` (finalize: _finalizer), in one call. Jinja
    makes it three Python calls and a Markup (escape, Markup.__new__, finalize) for each of the ~60 values a page
    prints; here a plain str (most of them: clerk text, labels, paths from `url`) is masked and escaped once and
    remembered (both are functions of the text alone), a Markup or an int printed as it is. Anything else goes the
    long way. tests/test_render.py compares it with `escape(finalize(value))` on every kind of value."""
    seen: dict[str, str] = {}

    def printed(value: Any) -> str:
        kind = type(value)
        if kind is str:
            done = seen.get(value)
            if done is None:
                if len(seen) >= PRINTED_KEPT:
                    seen.clear()
                done = seen[value] = _escape_inner(mask(value))
            return done
        if kind is Markup:
            return value
        if kind is int:
            return str(value)
        return escape(finalize(value))

    return printed


class _Generator(CodeGenerator):
    """Jinja's code generator, but a printed value's `escape(environment.finalize(value))` becomes one call of
    `environment.printed(value)` (_printer: the same text). Only where Jinja would write exactly that: autoescape
    on at compile time and the environment's own finalize (the other cases are written as Jinja writes them)."""

    def _fused(self, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> bool:
        return (
            not frame.eval_ctx.volatile
            and frame.eval_ctx.autoescape
            and finalize.src == "environment.finalize("
            and isinstance(self.environment, ThemeEnvironment)
        )

    def blockvisit(self, nodes: Iterable[Node], frame: Frame) -> None:
        """A block's body, and the body of a template that extends none (base.html), written as Jinja writes a
        macro's: its output appended to a list, joined once and yielded as one string at the end. Jinja yields
        every piece of it instead (~70 a scan viewer, ~170 a voucher page), and each piece goes up through every
        generator above it (the block, base.html's root, the page's root) to the join: here a block yields once.
        Anything nested (loops, conditions, macros) is written as Jinja writes it inside a buffer; a template that
        extends another has no output of its own (Jinja writes none after `extends`): left as Jinja writes it."""
        body = list(nodes)
        whole = frame.buffer is None and (
            frame.block_frame or (frame.rootlevel and not any(isinstance(n, Extends) or n.find(Extends) for n in body))
        )
        if not whole:
            super().blockvisit(body, frame)
            return
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = []")
        super().blockvisit(body, frame)
        self.writeline(f"yield concat({frame.buffer})")
        frame.buffer = None

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> None:
        if self._fused(frame, finalize):
            self.write("environment.printed(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> None:
        if self._fused(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _Context(Context):
    """Jinja's template context, with a short way for `call` (every `url(...)` of a template: ~15 a page) when the
    callee is a plain Python function that asks for no context (no `jinja_pass_arg`): Jinja's `Context.call` then
    does exactly this, after four attribute tests (a callable class's `__call__`, the pass-arg markers). And one
    for a macro that takes only named arguments (no `caller`, `varargs` or `kwargs`; 2-4 a voucher or scan page:
    the picture, the 我有疑问 panel, warnings): Jinja's `Context.call` and `Macro.__call__` then hand its
    function the arguments given, each one not given as `missing` (the macro's own code puts its default in), and
    make a Markup of what it returns when the page autoescapes, after ~1 µs of general argument handling. Anything
    else (other macros, arguments a macro does not take, callable objects, functions marked pass_context...) goes
    Jinja's way."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        names = _plain_names(__obj, args, kwargs) if kind is Macro else None  # type: ignore[arg-type]
        if names is not None:
            try:
                made = __obj._func(*args, *[kwargs.get(name, missing) for name in names])  # type: ignore[attr-defined]
            except StopIteration:  # as Context.call
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
            return Markup(made) if __self.eval_ctx.autoescape else made
        if kind is not FunctionType or "jinja_pass_arg" in __obj.__dict__:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Context.call
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


_CALL_ONLY = frozenset({"_block_vars", "_loop_vars"})  # what Jinja's compiled code adds to a call's keywords


# A macro's code -> (the code, {(arguments given, keywords' names): the names it takes after those, or None})
# (_plain_names)
_PLAIN: dict[int, tuple[CodeType, dict[tuple[int, tuple[str, ...]], Sequence[str] | None]]] = {}


def _plain_names(macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sequence[str] | None:
    """The names `macro` takes after `args` when `macro(*args, **kwargs)` is a plain call (_plain_macro), else None;
    remembered by the macro's code and the call's shape (how many arguments, which keywords): what _plain_macro
    reads (the macro's arguments, caller, varargs and kwargs, its environment's mode) is its definition's, the
    same for every module made of its template (one a page for a template imported `with context`), so it is
    asked once a shape, not at every call (~1 µs, 3-4 calls a page). Keyed by the code's id, the code kept beside
    the answers and compared: an id is never taken for another code object's."""
    code = macro._func.__code__
    known = _PLAIN.get(id(code))
    if known is None or known[0] is not code:
        if len(_PLAIN) >= PRINTED_KEPT:
            _PLAIN.clear()
        known = _PLAIN[id(code)] = (code, {})
    shape = (len(args), tuple(kwargs))
    try:
        return known[1][shape]
    except KeyError:
        names = known[1][shape] = macro.arguments[len(args) :] if _plain_macro(macro, args, kwargs) else None
        return names


def _plain_macro(macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether `macro(*args, **kwargs)` is one `Macro.__call__` would make as `macro._func(*args, *the rest by
    name or missing)` (_Context.call): a synchronous macro with no caller, varargs or kwargs, given no more
    arguments than it names and no keyword it does not name (nor one Jinja's call drops, _CALL_ONLY)."""
    rest = set(macro.arguments[len(args) :])
    return (
        not (macro.caller or macro.catch_kwargs or macro.catch_varargs or macro.explicit_caller)
        and not macro._environment.is_async
        and len(args) <= len(macro.arguments)
        and kwargs.keys() - _CALL_ONLY <= rest
        and rest.isdisjoint(_CALL_ONLY)
    )


class _Template(Template):
    """Jinja's template, with `_get_default_module` (each `{% from "x.html" import m %}` of a page: two or three a
    voucher or scan page) testing the importing page's global names against this template's globals map by map
    (dict key views: a set operation in C) instead of Jinja's `set - ChainMap.keys()`, which Python walks name by
    name through the ChainMap: the same names, so the same module. And `new_context` (every page rendered) hands
    Jinja its globals as one dict, merged now in C, for the `dict(globals, **vars)` and `set(globals)` Jinja makes
    of them: of a ChainMap, Python's own code walks and looks up name by name (~8 µs a page): the same names,
    values and order, and still what the maps hold at this very call."""

    def new_context(
        self, vars: dict[str, Any] | None = None, shared: bool = False, locals: Mapping[str, Any] | None = None
    ) -> Context:
        mine = self.globals
        if shared or type(mine) is not ChainMap or not all(type(m) is dict for m in mine.maps):
            return super().new_context(vars, shared, locals)
        merged: dict[str, Any] = {}
        for names in reversed(mine.maps):  # (a ChainMap's order: the last map's names first; the first map's values)
            merged.update(names)
        return new_context(self.environment, self.name, self.blocks, vars, shared, merged, locals)

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        mine = self.globals
        if ctx is not None and type(mine) is ChainMap and all(type(m) is dict for m in mine.maps):
            keys = ctx.globals_keys
            for names in mine.maps:
                keys = keys - names.keys()
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
            ctx = None  # (Jinja's own path with no context: the module made once and kept)
        return super()._get_default_module(ctx)


class ThemeEnvironment(Environment):
    """A theme's environment: Jinja's, with `printed` (_printer of its finalize) for the code _Generator writes,
    and its own context (_Context) and template (_Template) classes."""

    code_generator_class = _Generator
    context_class = _Context
    template_class = _Template

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.printed = _printer(options["finalize"])
        self.loaded: dict[str, Template] = {}  # name -> its template (get_template), emptied with the cache (_fresh)

    def get_template(
        self, name: str | Template, parent: str | None = None, globals: MutableMapping[str, Any] | None = None
    ) -> Template:
        """Jinja's get_template, a template asked for again found by its name in a plain dict: Jinja's own looks it
        up in its LRU cache, under a lock, and moves it to the front (~1.5 µs), 4-5 times a page (the page's, its
        base's, each template it imports from). With auto_reload off Jinja answers with the cached template
        until _fresh empties its cache, which empties this dict too. With globals of its own, Jinja's way."""
        if globals is not None or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        if parent is not None:
            name = self.join_path(name, parent)
        known = self.loaded.get(name)
        if known is None:
            known = self.loaded[name] = super().get_template(name)
        return known

    def overlay(self, *args: Any, **kwargs: Any) -> Self:
        """Jinja's overlay (an environment sharing this one's settings, often with another loader), with a `loaded`
        of its own: Jinja's overlay copies the attributes, and a name found under one loader is another template
        under another (Jinja's own cache is keyed by loader and name)."""
        env = super().overlay(*args, **kwargs)
        env.loaded = {}
        return env


@functools.cache  # one per theme and process: `sitegen serve` rebuilds without recompiling
def environment(theme: str) -> ThemeEnvironment:
    # A template whose file changed is read again at the next render_theme (_fresh), so keeping the environment is
    # safe. A theme's own templates first (its base.html), then the page bodies both themes share.
    loader = ChoiceLoader(
        [
            FileSystemLoader(str(THEMES_DIR / theme / "templates")),
            FileSystemLoader(str(THEMES_DIR / "common" / "templates")),
        ]
    )
    env = ThemeEnvironment(
        loader=loader,
        autoescape=True,
        finalize=_finalizer(theme),
        auto_reload=False,  # not a stat of each template file at each use (4 a page): _fresh, once a pass
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["yuan"] = yuan
    env.filters["wan"] = wan
    env.filters["tiles"] = tiles
    env.globals["theme"] = theme  # picks the theme's renditions of a scan (assets.Picture.tiles)
    env.globals["words"] = words_for(theme)  # how this channel says 选中 / 点击 (channels.py)
    return env


def tiles(renditions: Iterable[Rendition], url: Callable[[str], str]) -> list[tuple[bool, str, str, int, int]]:
    """A picture's tiles as the picture macro prints them (_picture.html): (first, its URL from the page (`url`, the
    page's), pad, width, height) of each, top to bottom. Unpacked in the template's loop in one step, where each
    tile was a call of `url` and four attribute lookups through Jinja (`r.path`, `r.pad`...), and `first` without
    Jinja's loop object (made for every loop that names `loop`): a TV viewer prints 5-10 tiles."""
    return [(i == 0, url(r.path), r.pad, r.width, r.height) for i, r in enumerate(renditions)]


COMPILED = "templates"  # in the build's cache: each theme's templates compiled (keep_compiled)


def keep_compiled(cache: Path) -> None:
    """Each theme's templates compiled once, kept in `cache`/templates/ for the next process: compiling them (both
    themes, ~20 templates) costs ~0.13 CPU s at every cold start of a build. The folder is named by what renders
    (code.renderer: sitegen's code, with this module's code generator, its themes, Jinja's and MarkupSafe's
    versions), so code compiled by another version is never used, and a folder of another version is removed;
    within it Jinja checks each file's magic (its format, Python's version) and its template's source hash, and
    compiles again on any mismatch. The code is what the template compiles to, so pages are the same bytes."""
    root = cache / COMPILED
    key = renderer()[:16]
    if not cache.is_dir():
        return  # (made by the build's image step; never made here)
    try:
        for old in os.listdir(root) if os.path.isdir(root) else ():
            if old != key:
                shutil.rmtree(root / old, ignore_errors=True)
        for theme in THEMES:
            (root / key / theme).mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # (a read-only cache: compiled in memory, as without one)
    for theme in THEMES:
        environment(theme).bytecode_cache = _Compiled(str(root / key / theme))


class _Compiled(FileSystemBytecodeCache):
    """Jinja's bytecode cache in a folder, where a file that cannot be read or written (a damaged or vanished
    cache, a full disk) is compiled as without one: never a page that fails for it."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # (a damaged file: Jinja would raise from its pickle or marshal)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # not kept: compiled again by the next process


def body_html(item: Item, page: Page, site: Site, linked: set[tuple[str, Path]] | None = None) -> Markup:
    """An item's Markdown body; links to other items become relative links, everything else plain text.
    `linked` collects (page, file) for every file a link points at, found or not (reuse.py).

    Made once for both themes (the same text: it depends on the item, the page's path and where the items it
    links to are): kept in `site.bodies` by page path with the item and each linked file's page path then, and
    used again only while the item and those paths are still the same (a held village's items leave
    `item_paths`)."""
    known = site.bodies.get(page.path)
    if known is not None and known[0] is item and all(site.item_paths.get(s) == t for s, t in known[2]):
        html, uses = known[1], known[2]
    else:
        found: list[tuple[Path, str | None]] = []

        def resolve(href: str) -> str | None:
            source = link_target(item.source, href)
            if source is None:
                return None
            target = site.item_paths.get(source)
            found.append((source, target))
            return page.url(target) if target else None

        html, uses = Markup(render_markdown(item.body, resolve)), tuple(found)
        site.bodies[page.path] = (item, html, uses)
    if linked is not None:
        linked.update((page.path, source) for source, _ in uses)
    return html


def render_theme(
    theme: str,
    site: Site,
    city: City,
    linked: set[tuple[str, Path]] | None = None,
    failed: Callable[[Page, Exception], None] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """(page path, HTML bytes) of each page in turn, in the plan's order: one page at a time, so that the caller
    checks and writes each away before the next is made and a city's pages are never all held in memory (the
    pipeline's render step). `linked` collects the files Markdown links point at (body_html). With `failed`, a
    page that raises is left out and handed to it (the pipeline holds back that page's village); without, the
    exception propagates."""
    env = environment(theme)
    _fresh(env)
    urls: dict[str, dict[str, str]] = {}  # a folder -> its pages' `url` answers (this call's pages only)
    for page in site.pages:
        try:
            template = env.get_template(page.template)
            extra = {"body": body_html(page.item, page, site, linked)} if isinstance(page, ItemPage) else {}
            url = _url(page, urls.setdefault(page.path.rpartition("/")[0], {}))
            html = template.render({**page.context(), **extra, "page": page, "city": city, "url": url})
            # (pages.RENDER_NAMES)
        except Exception as exc:
            if failed is None:
                raise
            failed(page, exc)
            continue
        yield page.path, html.encode("utf-8")


def _url(page: Page, known: dict[str, str]) -> Callable[[str], str]:
    """`page.url` for its template, each answer remembered in `known`, shared by the pages of its folder: a
    relative URL depends on the folder and the target only (Page.url), and a village's pages in one folder link
    to the same few (the frame's, the ledger's, their neighbours'), ~15 a page. A target named once (a scan's
    tiles: ~8 on a viewer page, each on that page alone) is its folder's answer and its name: Page.url keeps the
    last part of a path as it is, so `page.url("d/f")` is `page.url("d/")` followed by "f"; the folder's answer is
    remembered in `known` under "d/" (a target is a file, never a folder)."""

    def url(target: str) -> str:
        rel = known.get(target)
        if rel is None:
            folder, slash, name = target.rpartition("/")
            if not slash or "#" in target:
                rel = known[target] = page.url(target)
            else:
                base = known.get(folder + slash)
                if base is None:
                    base = known[folder + slash] = page.url(folder + slash)
                rel = known[target] = base + name
        return rel

    return url


def _fresh(env: Environment) -> None:
    """Forget the compiled templates when a template file changed since it was read (`sitegen serve` keeps the
    environment between rebuilds): what Jinja's auto_reload does at every use of a template, here once a pass."""
    if env.cache is not None and not all(template.is_up_to_date for template in env.cache.values()):
        env.cache.clear()
        if isinstance(env, ThemeEnvironment):
            env.loaded.clear()


def static_files(theme: str) -> dict[str, bytes]:
    """The theme's static assets, and those both themes share (common/static: the search script), under static/."""
    found: dict[str, bytes] = {}
    for root in (THEMES_DIR / "common" / "static", THEMES_DIR / theme / "static"):
        found.update(
            {f"static/{p.relative_to(root).as_posix()}": p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        )
    return found
