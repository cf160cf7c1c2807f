/// Ember's version.
public let emberVersion = "0.1.0"
