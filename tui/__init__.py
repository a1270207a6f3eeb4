"""The Textual front end of agentlog-tui (imports core; core never imports it)."""
