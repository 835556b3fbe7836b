#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need first (the README's test command).
#   Debian: chromium (the TV site is tested in a real browser), fonts-noto-cjk (sample scans, screenshots, posters),
#           openssh-server (bundles are pushed over SFTP to a real sshd on 127.0.0.1),
#           libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0 (WeasyPrint: sitegen print's PDF posters)
#   Python: sitegen itself plus its [test] extras (pytest, pytest-xdist, playwright without its own browsers,
#           pyjsparser, mypy, ruff, import-linter)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! (command -v fc-list >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .); then missing+=(fonts-noto-cjk); fi
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)  # the SFTP push tests start a throwaway sshd on 127.0.0.1
# sitegen print (WeasyPrint): Pango with its FreeType/fontconfig backend lays the poster out, HarfBuzz's subsetter
# embeds the CJK fonts as subsets (without it WeasyPrint falls back to fontTools and warns)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
# sitegen's bytecode made once: the editable install does not make it, and where PYTHONDONTWRITEBYTECODE is set every
# `python -m sitegen` the tests start would compile the package again (~0.08 s of CPU each, hundreds of them).
python3 -m compileall -q sitegen >/dev/null

# In this script a missing browser or sshd is a failure, never a silent skip.
export REQUIRE_BROWSER=1
export REQUIRE_SSHD=1
# Type check first ([tool.mypy] in pyproject.toml): a call that cannot work (an argument given twice, a None where a
# value is needed) fails the run before any test does.
python3 -m mypy
# Lint and format ([tool.ruff] in pyproject.toml): one style, and the mistakes a linter finds (unused names, a loop
# variable a closure would see late, imports in order), on the package, the tests and the scripts.
python3 -m ruff check sitegen tests scripts
python3 -m ruff format --check sitegen tests scripts
# The package's layers ([tool.importlinter] in pyproject.toml): a lower stage never imports a higher one, no cycles.
"$(python3 -c 'import os, sys; print(os.path.dirname(sys.executable))')/lint-imports" --no-cache
# One worker process per core, at most 4 (the CI machine has 2): pytest-xdist. --dist loadfile keeps each test file in
# one worker, so a file's module fixtures (a built site, a Chromium, an sshd) are made once; the sample city's build
# is shared between the workers (tests/built_sample.py). SITEGEN_TEST_WORKERS=0 runs them in this process.
exec python3 -m pytest -q -p no:cacheprovider -n "${SITEGEN_TEST_WORKERS:-auto}" --maxprocesses 4 --dist loadfile --no-loadscope-reorder "$@"
