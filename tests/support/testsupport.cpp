// Fake providers and helpers for the network tests live in this library.
