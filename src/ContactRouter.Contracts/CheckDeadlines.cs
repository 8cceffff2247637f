namespace ContactRouter.Contracts;

/// <summary>
/// Time has passed: apply offer timeouts and wrap-up ends. Sent through the centre's own queue so the
/// single active consumer stays the only writer, and a hot standby picks it up after a takeover.
/// </summary>
public sealed record CheckDeadlines : CentreCommand;
