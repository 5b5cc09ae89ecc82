package tree

import "path/filepath"

// InTree is Workspace.Path for reading without a workspace (diff, a
// patch queue, an in-tree lockfile): it returns root/rel after the same
// checks, so that a path read from the spec or the lock never leads
// through a symbolic link or out of the tree.
func InTree(root, rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", err
	}
	if err := checkParents(root, rel, rel); err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}
