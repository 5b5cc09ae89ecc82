# Helpers for the .ci scripts that read Debian source packages: a deb-src
# entry derived from the machine's own apt sources, never a hard-coded
# mirror host. Sourced by .ci/realdata.sh; .ci/apt-sources_test.sh tests it
# on fixture folders (APT_ETC).
#
#   apt_entries            every enabled entry of the apt sources, one line
#                          per type and suite: TYPE FILE OPTIONS URI SUITE COMPONENTS
#   deb_src_line S C       the deb-src line for suite S, component C, made
#                          from the first enabled "deb" entry holding both
#   ensure_deb_src S C     makes sure a deb-src entry for S and C exists:
#                          sets deb_src_file to the file holding it, and
#                          writes $APT_ETC/sources.list.d/rvendor-src.list
#                          only when no other file has one and its content
#                          would change (idempotent)

# The apt configuration folder (tests point it at a fixture).
APT_ETC=${APT_ETC:-/etc/apt}

# apt_entries prints each enabled entry of sources.list, sources.list.d/*.list
# (one-line format) and sources.list.d/*.sources (deb822), one line per
# type and suite, fields separated by the unit separator (\037, not
# whitespace, so that an empty field survives "read"):
#   TYPE  FILE  OPTIONS  URI  SUITE  COMPONENTS
# OPTIONS is in the one-line form ("signed-by=/k.gpg arch=amd64", or "");
# a deb822 Signed-By that holds an inline key (several lines) is left out,
# so such an entry is not taken as a model (apt_entries marks it "inline-key").
apt_entries() {
	local f
	for f in "$APT_ETC/sources.list" "$APT_ETC"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v file="$f" '
			{ sub(/#.*/, "") }
			NF < 3 || ($1 != "deb" && $1 != "deb-src") { next }
			{
				type = $1; i = 2; opts = ""
				if ($2 ~ /^\[/) {
					opts = $2
					while (opts !~ /\]$/ && i < NF) { i++; opts = opts " " $i }
					i++
					sub(/^\[ */, "", opts); sub(/ *\]$/, "", opts)
				}
				uri = $i; suite = $(i + 1); comps = ""
				for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
				if (uri != "" && suite != "") printf "%s\037%s\037%s\037%s\037%s\037%s\n", type, file, opts, uri, suite, comps
			}' "$f"
	done
	for f in "$APT_ETC"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v file="$f" '
			function flush(   n, t, s, u, nt, ns, nu, a, b, c, opts) {
				if (enabled != "no" && types != "") {
					opts = ""
					if (signed != "") opts = "signed-by=" signed
					if (inline) opts = "inline-key"
					if (trusted != "") opts = opts (opts == "" ? "" : " ") "trusted=" trusted
					nt = split(types, a, /[ \t]+/); ns = split(suites, b, /[ \t]+/); nu = split(uris, c, /[ \t]+/)
					for (t = 1; t <= nt; t++) for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++)
						if (a[t] != "" && b[s] != "" && c[u] != "")
							printf "%s\037%s\037%s\037%s\037%s\037%s\n", a[t], file, opts, c[u], b[s], comps
				}
				types = uris = suites = comps = signed = trusted = enabled = ""; inline = 0; last = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ { if (last == "signed-by") inline = 1; next }
			{
				key = tolower($0); sub(/:.*/, "", key)
				val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
				last = key
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "components") comps = val
				else if (key == "signed-by") signed = val
				else if (key == "trusted") trusted = val
				else if (key == "enabled") enabled = tolower(val)
			}
			END { flush() }' "$f"
	done
}

# has_word LIST WORD: whether the space-separated LIST holds WORD.
has_word() {
	case " $1 " in *" $2 "*) return 0 ;; esac
	return 1
}

# deb_src_line SUITE COMPONENT prints the deb-src line for SUITE and
# COMPONENT, made from the first enabled "deb" entry that has both (same
# URI and options), or fails saying that there is none.
deb_src_line() {
	local suite=$1 comp=$2 type file opts uri s comps
	while IFS=$'\037' read -r type file opts uri s comps; do
		if [ "$type" = deb ] && [ "$s" = "$suite" ] && [ "$opts" != inline-key ] && has_word "$comps" "$comp"; then
			if [ -n "$opts" ]; then
				echo "deb-src [$opts] $uri $suite $comp"
			else
				echo "deb-src $uri $suite $comp"
			fi
			return 0
		fi
	done < <(apt_entries)
	echo "apt-sources: no enabled \"deb\" entry for $suite $comp in $APT_ETC/sources.list or $APT_ETC/sources.list.d/ to make a deb-src line from" >&2
	return 1
}

# ensure_deb_src SUITE COMPONENT makes sure apt has a deb-src entry for
# SUITE and COMPONENT and sets deb_src_file to the file holding it. An
# entry in any file but rvendor-src.list is used as it is; otherwise
# rvendor-src.list is written from deb_src_line, only when its content
# changes (deb_src_changed=1 then, so the caller knows to run apt-get
# update).
ensure_deb_src() {
	local suite=$1 comp=$2 own="$APT_ETC/sources.list.d/rvendor-src.list"
	local type file opts uri s comps line
	deb_src_changed=
	while IFS=$'\037' read -r type file opts uri s comps; do
		if [ "$type" = deb-src ] && [ "$file" != "$own" ] && [ "$s" = "$suite" ] && has_word "$comps" "$comp"; then
			deb_src_file=$file
			return 0
		fi
	done < <(apt_entries)
	line=$(deb_src_line "$suite" "$comp") || return 1
	deb_src_file=$own
	if [ "$(cat "$own" 2>/dev/null)" != "$line" ]; then
		mkdir -p "$(dirname "$own")"
		echo "$line" >"$own.tmp" && mv "$own.tmp" "$own"
		deb_src_changed=1
	fi
}
