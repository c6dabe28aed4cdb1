/* The manifest lives in manifest.c's paddock_manifest section; nothing to import. */
