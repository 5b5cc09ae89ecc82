package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/notice"
	vendorspec "github.com/rvendor/rvendor/vendor-spec"
)

// builtIn returns the inventory's built-in packages of the tree at dir.
func builtIn(t *testing.T, dir string) []*inventory.Package {
	t.Helper()
	spec, err := vendorspec.Load(filepath.Join(dir, vendorspec.SpecName))
	if err != nil {
		t.Fatal(err)
	}
	lock, err := vendorspec.ReadLock(filepath.Join(dir, vendorspec.LockName))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := vendorspec.ReadSum(filepath.Join(dir, vendorspec.SumName))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(spec, lock, sum, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []*inventory.Package
	for _, p := range inv.Packages {
		if p.Role == vendorspec.RoleBuiltIn && !p.Stub {
			out = append(out, p)
		}
	}
	return out
}

// TestNoticeReal is issue 12's attribution check on the real vendored
// bindgen closure and Rust 1.63's library: the text notice lists every
// built-in package with its license and copyright lines and holds each
// distinct license text once; the HTML page, opened in headless
// Chromium, renders (a screenshot that is not blank) and its DOM lists
// every package; with bindgen a host tool, its crates are left out and
// the notice says so.
func TestNoticeReal(t *testing.T) {
	dir, run := licenseTree(t, "")
	pkgs := builtIn(t, dir)
	if len(pkgs) < 40 {
		t.Fatalf("%d built-in packages", len(pkgs))
	}
	code, txt := run("notice")
	if code != 0 {
		t.Fatalf("notice: exit %d\n%s", code, txt)
	}
	for _, p := range pkgs {
		title := p.Name + " " + p.Version
		if p.Crate {
			title += " (crate of bindgen)"
		}
		if !strings.Contains(txt, "\n"+title+"\n") {
			t.Errorf("the notice does not list %s", title)
		}
	}
	for _, want := range []string{
		"Copyright: Copyright (c) 2015 Andrew Gallant",
		"Copyright: Original work Copyright (c) 2014 The Rust Project Developers",
		"  from tools/bindgen/vendor/regex-syntax/src/unicode_tables/LICENSE-UNICODE",
		"rvendor: warning: rust-library is built in, but no license file is vendored with it",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("the notice lacks %q", want)
		}
	}
	// Each text once: no two text sections with the same words.
	bodies := regexp.MustCompile(`(?m)^-{78}\n`).Split(txt, -1)[1:]
	seen := map[string]bool{}
	for _, b := range bodies {
		b, _, _ = strings.Cut(b, "\n\n[")
		h := notice.TextHash(b)
		if seen[h] {
			t.Errorf("a license text is printed twice:\n%.200s", b)
		}
		seen[h] = true
	}
	files := strings.Count(txt, "\n  from ")
	if len(bodies) < 20 || len(bodies) != strings.Count(txt, "\n\n[") || files < len(bodies)+30 {
		t.Errorf("%d texts from %d license files: each text should be printed once", len(bodies), files)
	}
	t.Run("chromium", func(t *testing.T) { checkNoticeChromium(t, run, dir, pkgs) })

	// bindgen as a host tool: its crates are left out, and named.
	index := specValue(t, filepath.Join(dir, vendorspec.SpecName), "crates-index")
	writeFile(t, filepath.Join(dir, vendorspec.SpecName), licenseSpec(index, `role = "host-tool"`, ""))
	code, txt = run("notice")
	if code != 0 {
		t.Fatalf("notice: exit %d\n%s", code, txt)
	}
	if !strings.Contains(txt, "Built-in packages (1)\n") || !strings.Contains(txt, "\nrust-library 1.63.0\n") ||
		strings.Contains(txt, "(crate of bindgen)") || !strings.Contains(txt, fmt.Sprintf("Left out (role host-tool: run on the build machine, not part of the kernel image): %d packages", len(pkgs)-1)) ||
		!strings.Contains(txt, "\n  bindgen/regex@1.7.1\n") || strings.Contains(txt, "Permission is hereby granted") {
		t.Errorf("with bindgen a host tool:\n%.2000s", txt)
	}
}

// checkNoticeChromium opens the HTML notice in Debian's headless
// Chromium (.ci/realdata.d/81-chromium.sh installs it): a screenshot
// that is not blank, and a DOM that names every built-in package and
// holds every text.
func checkNoticeChromium(t *testing.T, run func(args ...string) (int, string), dir string, pkgs []*inventory.Package) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		msg := "chromium is not installed (.ci/realdata.d/81-chromium.sh installs Debian's)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	page := filepath.Join(t.TempDir(), "notice.html")
	if code, out := run("notice", "--format", "html", "-o", page); code != 0 {
		t.Fatalf("notice --format html: exit %d\n%s", code, out)
	}
	shot := filepath.Join(t.TempDir(), "notice.png")
	profile := t.TempDir()
	browse := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, chromium, append([]string{"--headless", "--no-sandbox", "--disable-gpu",
			"--user-data-dir=" + profile, "--no-first-run"}, append(args, "file://"+page)...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.Bytes()
	}
	browse("--screenshot="+shot, "--window-size=1280,4000")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("the screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 4000 {
		t.Errorf("screenshot of %v", b)
	}
	if dark, colors := inked(img); dark < 0.01 || colors < 8 {
		t.Errorf("the screenshot looks blank: %.3f%% dark pixels, %d colors", dark*100, colors)
	}
	dom := string(browse("--dump-dom"))
	for _, p := range pkgs {
		if !strings.Contains(dom, `<td class="name">`+p.Name) {
			t.Errorf("the rendered page does not list %s", p.ID())
		}
	}
	if n := strings.Count(dom, `<section class="text"`); n < 20 {
		t.Errorf("the rendered page has %d license texts", n)
	}
	if strings.Contains(dom, "<script") {
		t.Errorf("the rendered page has a script")
	}
}

// inked returns the share of dark pixels (text) in img and how many
// distinct colors it has (up to 1000).
func inked(img image.Image) (float64, int) {
	b := img.Bounds()
	dark, total := 0, 0
	colors := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			total++
			if (r+g+bl)/3 < 0x8000 {
				dark++
			}
			if len(colors) < 1000 {
				colors[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
			}
		}
	}
	return float64(dark) / float64(total), len(colors)
}
