"""No models: the roles are auth's groups. The module is here because Django sends an app its
post_migrate signal only when it has one, and that signal gives the groups their permissions."""
