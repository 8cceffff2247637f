namespace ContactRouter.Contracts;

/// <summary>Asks a centre to publish its current load, e.g. when the overflow router (re)starts with no picture.</summary>
public sealed record ReportLoad : CentreCommand;
