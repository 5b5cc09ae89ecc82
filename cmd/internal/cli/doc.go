// Package cli holds what rvendor's two programs share: the one way
// errors are printed and turned into exit statuses, the folder and spec
// a command acts on, and the verify command itself, which rvendor runs
// as "rvendor verify" and the small rvendor-verify program runs alone.
//
// Invariants: the package imports nothing that verify does not already
// need (no engine, fetch, network or OpenPGP code), so that
// rvendor-verify, which Kbuild starts on every build, pays for no package
// it does not use (cmd/rvendor-verify's dependency test holds this). It
// reads no global state: output streams and the environment come in an
// Env.
package cli
