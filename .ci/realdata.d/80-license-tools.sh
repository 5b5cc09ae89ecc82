# The peers the license-audit tests and benchmark compare against, and
# what the kernel's scripts/spdxcheck.py needs: Debian's licensecheck
# (Perl), python3-ply and python3-git (run it with /usr/bin/python3).
# They conflict with nothing, so they are installed.
apt_update
apt-get install -y -qq --no-install-recommends licensecheck python3-ply python3-git >/dev/null
/usr/bin/python3 -c 'import ply, git'
command -v licensecheck >/dev/null
