"""The package's layers import one way: data < methods < stages < viz < explore < kit < book.

An AST scan of every module (imports inside functions included) checks that no module imports a
higher layer, that no two modules import each other (directly or round a longer loop), that the
methods layer stays pure, and that every module belongs to a known layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "equitylens"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

LAYERS = {
    "data": 0,
    "methods": 1,
    "stages": 2,
    "viz": 3,
    "explore": 4,
    "kit": 5,
    "book": 6,
    "__main__": 7,  # python -m equitylens: the command line sits on top of every layer
}

# The methods layer computes; it does not draw, read YAML, build forms or know repository paths.
METHODS_FORBIDDEN = (
    "altair",
    "yaml",
    "ipywidgets",
    f"{PACKAGE}.data.paths",
    f"{PACKAGE}.data.content",
    f"{PACKAGE}.data.writer",
    f"{PACKAGE}.data.load",
)


def module_sources(package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """Map each module's dotted name (``equitylens.x.y``) to its source text."""
    sources = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        sources[".".join(parts)] = path.read_text(encoding="utf-8")
    return sources


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name a ``from ...name import`` statement in ``module`` refers to."""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imports_of(module: str, source: str, is_package: bool = False) -> list[list[str]]:
    """Every import statement in ``module``'s source, anywhere in the file, as absolute names.

    ``import a.b`` gives ``[a.b]``; ``from a.b import c, d`` gives ``[a.b, a.b.c, a.b.d]``, since
    ``c`` may be a module or a name defined in ``a.b``: callers decide which names are modules.
    """
    found: list[list[str]] = []
    for node in ast.walk(ast.parse(source, filename=module)):
        if isinstance(node, ast.Import):
            found.extend([alias.name] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            relative = _resolve_relative(module, is_package, node.level, node.module)
            target = relative if node.level else node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names if alias.name != "*"]
            found.append([target, *names])
    return found


def layer_of(module: str) -> str | None:
    """The layer a module of the package belongs to, or None when it is in no known layer."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != PACKAGE:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _resolve(name: str, sources: dict[str, str]) -> str | None:
    """The longest prefix of ``name`` that is a module in ``sources``, or None."""
    parts = name.split(".")
    while parts and ".".join(parts) not in sources:
        parts.pop()
    return ".".join(parts) or None


def _internal_edges(sources: dict[str, str], packages: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Per module, (imported module of the package, the name as the import wrote it) pairs."""
    edges: dict[str, list[tuple[str, str]]] = {}
    for module, source in sources.items():
        targets: dict[str, str] = {}
        for statement in imports_of(module, source, is_package=module in packages):
            base, *names = statement
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                continue
            # ``from equitylens.methods import suppress`` imports the module ``suppress``;
            # ``from equitylens.methods.suppress import apply`` imports from ``suppress``.
            resolved = {}
            for name in names:
                target = _resolve(name, sources)
                if target is not None and target != _resolve(base, sources):
                    resolved[target] = name
            if not resolved:
                target = _resolve(base, sources)
                if target is not None:
                    resolved[target] = names[0] if names else base
            for target, name in resolved.items():
                if target != module:
                    targets.setdefault(target, name)
        edges[module] = sorted(targets.items())
    return edges


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the strongly connected components of ``graph``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    components.append(sorted(component))
    return components


def layer_problems(sources: dict[str, str], packages: set[str] | None = None) -> list[str]:
    """Every breach of the layering rules in ``sources`` (dotted name -> source), as messages."""
    if packages is None:
        packages = {name for name in sources if any(other.startswith(name + ".") for other in sources)}
    problems: list[str] = []
    for module in sorted(sources):
        if module != PACKAGE and layer_of(module) is None:
            problems.append(f"{module} is in no known layer ({', '.join(LAYERS)})")
    edges = _internal_edges(sources, packages)
    for module, targets in edges.items():
        layer = layer_of(module)
        if layer is None:
            continue
        for target, written in targets:
            target_layer = layer_of(target)
            if target_layer is not None and LAYERS[target_layer] > LAYERS[layer]:
                problems.append(f"{module} ({layer}) imports {written} from the higher layer {target_layer}")
        if layer == "methods":
            for statement in imports_of(module, sources[module], module in packages):
                impure = [
                    name
                    for name in statement
                    if any(name == bad or name.startswith(bad + ".") for bad in METHODS_FORBIDDEN)
                ]
                if impure:
                    problems.append(f"{module} (methods) imports {impure[0]}; methods must be pure")
    graph = {module: {target for target, _ in targets} for module, targets in edges.items()}
    for component in _strongly_connected(graph):
        members = set(component)
        links = [
            f"{module} imports {written}"
            for module in component
            for target, written in edges[module]
            if target in members
        ]
        problems.append(f"import cycle among {', '.join(component)}: {'; '.join(links)}")
    return problems


def test_package_layers_import_one_way() -> None:
    sources = module_sources()
    assert len(sources) > 40, "the scan found too few modules; is PACKAGE_DIR right?"
    problems = layer_problems(sources)
    assert not problems, "\n".join(problems)


def test_checker_reports_upward_imports_cycles_impurity_and_strays() -> None:
    sources = {
        "equitylens": "",
        "equitylens.data": "",
        "equitylens.data.paths": "ROOT = 1\n",
        "equitylens.methods": "",
        "equitylens.methods.rates": ("def rate():\n    from equitylens.viz.charts import bar\n    return bar\n"),
        "equitylens.methods.pure": "import altair as alt\nfrom ..data import paths\n",
        "equitylens.viz": "",
        "equitylens.viz.charts": "def bar():\n    pass\n",
        "equitylens.stages": "",
        "equitylens.stages.one": "from . import two\n",
        "equitylens.stages.two": "import equitylens.stages.one\n",
        "equitylens.extras": "",
        "equitylens.extras.misc": "",
    }
    problems = layer_problems(sources)
    text = "\n".join(problems)
    assert "equitylens.methods.rates (methods) imports equitylens.viz.charts.bar from the higher layer viz" in text
    assert (
        "import cycle among equitylens.stages.one, equitylens.stages.two: "
        "equitylens.stages.one imports equitylens.stages.two; "
        "equitylens.stages.two imports equitylens.stages.one" in text
    )
    assert "equitylens.methods.pure (methods) imports altair; methods must be pure" in text
    assert "equitylens.methods.pure (methods) imports equitylens.data.paths" in text
    assert "equitylens.extras is in no known layer" in text
    assert "equitylens.extras.misc is in no known layer" in text
    assert len(problems) == 6, text


def test_checker_passes_a_clean_package() -> None:
    sources = {
        "equitylens": "",
        "equitylens.data": "",
        "equitylens.data.paths": "ROOT = 1\n",
        "equitylens.methods": "",
        "equitylens.data.groups": "",
        "equitylens.methods.rates": "import pandas as pd\nfrom ..data import groups\n",
        "equitylens.book": "import equitylens.methods.rates\n",
        "equitylens.book.build": "from equitylens.methods.rates import pd\nfrom . import notes\n",
        "equitylens.book.notes": "def note():\n    from equitylens.data.paths import ROOT\n",
    }
    assert layer_problems(sources) == []
