package audit

import (
	"context"
	"errors"
	"path"

	"github.com/rvendor/rvendor/inventory"
	"github.com/rvendor/rvendor/policy/license"
)

// tagHead is how much of each file the tag scan keeps: the kernel's rule
// and spdxcheck.py look at the first lines only.
const tagHead = 16 << 10

// tags reads every file of p whose type can hold a comment and counts
// its SPDX-License-Identifier tag, placed as the kernel's rule says; a
// tag that is not the concluded license is listed in Disagree.
func tags(ctx context.Context, r *inventory.Reader, p *inventory.Package, ap *Package, all bool) error {
	st := &ap.Tags
	st.Untagged, st.Disagree = []string{}, []FileTag{}
	for _, f := range p.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := path.Base(f.Path)
		if _, ok := license.CommentStyle(name); !ok || f.Size > MaxSourceFileSize {
			continue
		}
		st.Files++
		data, err := r.Head(f.Path, MaxSourceFileSize, tagHead)
		if err != nil {
			var de *inventory.DriftError
			if errors.As(err, &de) {
				st.Drifted = append(st.Drifted, f.Path)
				continue
			}
			return err
		}
		tag, ok := license.FindTag(name, data)
		if !ok {
			if all {
				st.Untagged = append(st.Untagged, f.Path)
			}
			continue
		}
		st.Tagged++
		if all {
			st.All = append(st.All, FileTag{Path: f.Path, Tag: tag.Expr})
		}
		if !agrees(tag.Expr, ap.expr) {
			st.Disagree = append(st.Disagree, FileTag{Path: f.Path, Tag: tag.Expr})
		}
	}
	return nil
}

// agrees reports whether a file's tag is the package's concluded
// license (or one of its options: a file of a dual-licensed project may
// carry one of them only if that is all the project offers, so only an
// equivalent expression agrees). With no concluded license nothing
// agrees.
func agrees(tag string, concluded *license.Expr) bool {
	if concluded == nil {
		return false
	}
	e, _, err := license.ParseDeclared(tag)
	return err == nil && license.Equivalent(e, concluded)
}
