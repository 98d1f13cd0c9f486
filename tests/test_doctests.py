"""Every docstring example in the autodiff and nn packages runs and prints what it shows.

One test per docstring that has examples, found in every module of both packages (a new module is
covered without being listed here), run in a temporary directory so an example may write files."""

import doctest
import importlib
import io
import pkgutil

import pytest

import autodiff
import nn

PACKAGES = (autodiff, nn)


def module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package.__name__)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
                  if not info.name.endswith(".__main__")]   # importing __main__ would run the CLI
    return names


def docstring_tests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = []
    for name in module_names():
        # find() skips what a module imports from another, so each docstring is run once
        found += [t for t in finder.find(importlib.import_module(name)) if t.examples]
    return found


TESTS = docstring_tests()


def test_the_packages_have_docstring_examples():
    assert {t.name for t in TESTS} >= {"autodiff", "autodiff.value.Value", "nn", "nn.module.Module"}


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.name)
def test_docstring_examples_print_what_they_show(test, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=report.write, clear_globs=True)
    assert result.failed == 0, report.getvalue()
