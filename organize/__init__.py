"""The organizer's pages: a guided page per test (corpora → systems → test set → design →
preview → publish → monitor → close → report), the preview and live monitoring."""
