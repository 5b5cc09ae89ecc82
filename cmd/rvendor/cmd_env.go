package main

import "github.com/spf13/cobra"

// Placeholder: replaced by the issue-6 work.
func newEnvCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "env", Hidden: true}
}
