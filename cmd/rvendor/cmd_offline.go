package main

import "github.com/spf13/cobra"

// Placeholder: replaced by the issue-6 work.
func newOfflineCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "offline", Hidden: true}
}
