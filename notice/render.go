package notice

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/rvendor/rvendor/internal/quote"
)

// Intro is the notice's opening paragraph, in both forms.
const Intro = "This notice lists the vendored code built into the kernel image, with its license, " +
	"the copyright lines of its license files, and the full text of every license file vendored with it, " +
	"each distinct text once. It was written by rvendor from rvendor.lock and rvendor.sum."

// reason says why packages were left out, by Left.Reason.
func reason(r string) string {
	if r == LeftHostTool {
		return "role host-tool: run on the build machine, not part of the kernel image"
	}
	return "platform stubs: only other targets need them, no upstream code is vendored"
}

// Title returns the heading of a package: "name version", with its
// component for a crate.
func (p *Package) Title() string {
	if p.Crate {
		return p.Name + " " + p.Version + " (crate of " + p.Component + ")"
	}
	return p.Name + " " + p.Version
}

// Heading returns the heading of a text: its number and licenses.
func (t *Text) Heading() string {
	ids := strings.Join(t.Licenses, ", ")
	if ids == "" {
		ids = "no license identified (a notice or a license rvendor does not know)"
	}
	return fmt.Sprintf("[%d] %s", t.N, ids)
}

// LeftGroups returns the packages left out grouped by reason (host-tool
// first), each group's text and IDs.
func (n *Notice) LeftGroups() []LeftGroup {
	var out []LeftGroup
	for _, r := range []string{LeftHostTool, LeftStub} {
		g := LeftGroup{Reason: reason(r)}
		for _, l := range n.Left {
			if l.Reason == r {
				g.IDs = append(g.IDs, l.ID)
			}
		}
		if len(g.IDs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// LeftGroup is the packages left out for one reason.
type LeftGroup struct {
	Reason string
	IDs    []string
}

// Text renders the notice as plain text. Every name from the tree is
// quoted where it could mislead (internal/quote); license texts are
// printed as Body made them.
func (n *Notice) Text() []byte {
	var b bytes.Buffer
	q := quote.Path
	rule := strings.Repeat("=", 78)
	fmt.Fprintf(&b, "THIRD-PARTY NOTICES: %s\n\n%s\n\n", q(n.Tree), wrap(Intro, 78))
	fmt.Fprintf(&b, "%s\nBuilt-in packages (%d)\n%s\n", rule, len(n.Packages), rule)
	for _, p := range n.Packages {
		fmt.Fprintf(&b, "\n%s\n", q(p.Title()))
		lic := p.License
		if lic == "" {
			lic = "NO LICENSE KNOWN"
		}
		fmt.Fprintf(&b, "  License:   %s\n", q(lic))
		if len(p.Copyrights) == 0 {
			fmt.Fprintf(&b, "  Copyright: none found in its license files\n")
		}
		for _, c := range p.Copyrights {
			fmt.Fprintf(&b, "  Copyright: %s\n", q(c))
		}
		if len(p.Texts) == 0 {
			fmt.Fprintf(&b, "  Texts:     none vendored with it\n")
		} else {
			fmt.Fprintf(&b, "  Texts:     %s\n", textRefs(p.Texts))
		}
	}
	for _, g := range n.LeftGroups() {
		fmt.Fprintf(&b, "\nLeft out (%s): %d packages\n", g.Reason, len(g.IDs))
		for _, id := range g.IDs {
			fmt.Fprintf(&b, "  %s\n", q(id))
		}
	}
	fmt.Fprintf(&b, "\n%s\nLicense texts (%d)\n%s\n", rule, len(n.Texts), rule)
	for _, t := range n.Texts {
		fmt.Fprintf(&b, "\n%s\n", q(t.Heading()))
		for _, f := range t.Files {
			fmt.Fprintf(&b, "  from %s\n", q(f))
		}
		fmt.Fprintf(&b, "%s\n%s\n", strings.Repeat("-", 78), t.Body)
	}
	return b.Bytes()
}

func textRefs(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = "[" + strconv.Itoa(n) + "]"
	}
	return strings.Join(parts, " ")
}

// wrap breaks s into lines of at most width bytes at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		if n > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// HTML renders the notice as one self-contained page: inline CSS, no
// scripts, no external resources (its Content-Security-Policy says so
// to the browser), every value escaped by html/template.
func (n *Notice) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := pageTemplate().Execute(&b, struct {
		*Notice
		Intro string
	}{n, Intro}); err != nil {
		return nil, fmt.Errorf("rendering the notice: %w", err)
	}
	return b.Bytes(), nil
}

// pageTemplate parses the page; it is small and parsed per call, so the
// package holds no state.
func pageTemplate() *template.Template {
	return template.Must(template.New("page").Parse(pageHTML))
}

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Third-party notices: {{.Tree}}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1a1a1a; background: #fff; line-height: 1.4; }
h1 { font-size: 1.6em; border-bottom: 2px solid #444; padding-bottom: .3em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #888; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid #ddd; }
th { background: #eef1f5; }
td.license { white-space: nowrap; }
ul.copyright { margin: 0; padding-left: 1.1em; }
.none { color: #a33; }
section.text { margin-top: 1.5em; border: 1px solid #ccc; border-radius: 4px; padding: 0 1em 1em; }
section.text h3 { font-size: 1.05em; margin: .8em 0 .3em; }
p.from { font-size: .9em; color: #444; margin: .2em 0 .6em; word-break: break-all; }
pre { white-space: pre-wrap; word-wrap: break-word; background: #f7f7f7; padding: .8em; font-size: .85em; }
</style>
</head>
<body>
<h1>Third-party notices: {{.Tree}}</h1>
<p>{{.Intro}}</p>
<h2 id="packages">Built-in packages ({{len .Packages}})</h2>
<table>
<thead><tr><th>Package</th><th>Version</th><th>License</th><th>Copyright</th><th>Texts</th></tr></thead>
<tbody>
{{- range .Packages}}
<tr class="package" id="pkg-{{.ID}}">
<td class="name">{{.Name}}{{if .Crate}} <small>(crate of {{.Component}})</small>{{end}}</td>
<td>{{.Version}}</td>
<td class="license">{{if .License}}{{.License}}{{else}}<span class="none">no license known</span>{{end}}</td>
<td>{{if .Copyrights}}<ul class="copyright">{{range .Copyrights}}<li>{{.}}</li>{{end}}</ul>{{else}}<span class="none">none found in its license files</span>{{end}}</td>
<td>{{range .Texts}}<a href="#text-{{.}}">[{{.}}]</a> {{else}}<span class="none">none vendored</span>{{end}}</td>
</tr>
{{- end}}
</tbody>
</table>
{{- range .LeftGroups}}
<p class="left">Left out ({{.Reason}}): {{len .IDs}} packages: {{range $i, $id := .IDs}}{{if $i}}, {{end}}{{$id}}{{end}}.</p>
{{- end}}
<h2 id="texts">License texts ({{len .Texts}})</h2>
{{- range .Texts}}
<section class="text" id="text-{{.N}}">
<h3>{{.Heading}}</h3>
<p class="from">From {{range $i, $f := .Files}}{{if $i}}, {{end}}{{$f}}{{end}}</p>
<pre>{{.Body}}</pre>
</section>
{{- end}}
</body>
</html>
`
