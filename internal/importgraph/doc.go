// Package importgraph holds only a test: it guards the rule that the
// offline packages (verify, tree, policy, and whatever they import from
// this module) never depend on net or net/http, so a build's checks cannot
// touch the network. net/url and net/netip are allowed: they do not import
// net.
package importgraph
