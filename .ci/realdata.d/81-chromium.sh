# Debian's headless Chromium (and a font), installed: the notice test
# opens rvendor's HTML attribution page in it, takes a screenshot and
# reads the rendered DOM (issue #12). Nothing is downloaded at test time.
apt_update
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
