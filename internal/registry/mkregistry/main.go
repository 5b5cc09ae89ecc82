// Command mkregistry builds the test crates registry of package registry
// from unpacked crate folders, for scripts and benchmarks:
//
//	mkregistry -source DIR -root NAME-VERSION -out DIR [-dirsource] [-serve]
//
// It writes OUT/crates/{name}/{name}-{version}.crate and OUT/Cargo.lock;
// with -dirsource also OUT/dirsrc/, the same crates unpacked as a cargo
// directory source; with -serve it serves the registry on loopback,
// prints "sparse+http://127.0.0.1:PORT/lib/index/" and runs until killed.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rvendor/rvendor/internal/registry"
)

func main() {
	source := flag.String("source", "", "folder of unpacked crates (name-version/)")
	root := flag.String("root", "bindgen-0.60.1", "root crate, name-version")
	out := flag.String("out", "", "output folder")
	dirsrc := flag.Bool("dirsource", false, "also write OUT/dirsrc, a cargo directory source")
	serve := flag.Bool("serve", false, "serve the registry on loopback until killed")
	flag.Parse()
	if *source == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	r, err := registry.Build(*out, registry.Options{Source: *source, Root: *root})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkregistry:", err)
		os.Exit(1)
	}
	if *dirsrc {
		d := filepath.Join(*out, "dirsrc")
		os.RemoveAll(d)
		if err := r.DirSource(d); err != nil {
			fmt.Fprintln(os.Stderr, "mkregistry:", err)
			os.Exit(1)
		}
	}
	if *serve {
		s := registry.Serve(r)
		fmt.Println(s.Index("lib"))
		select {}
	}
}
