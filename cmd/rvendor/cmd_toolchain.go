package main

import "github.com/spf13/cobra"

// Placeholder: replaced by the issue-6 work.
func newToolchainCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "toolchain", Hidden: true}
}
