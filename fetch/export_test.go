package fetch

import "strings"

// MatchExclude compiles the Exclude pattern p and matches the archive
// path name against it, as Extract does, returning the work counted by
// the matcher (see segment.match) besides the result.
func MatchExclude(p, name string) (matched bool, steps int, err error) {
	pat, err := compilePattern(p)
	if err != nil {
		return false, 0, err
	}
	matched = pat.matchSteps(strings.Split(name, "/"), &steps)
	return matched, steps, nil
}
