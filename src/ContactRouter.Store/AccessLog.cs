using System.Text;

namespace ContactRouter.Store;

/// <summary>
/// The access log ("Logboek Dataverwerkingen", BIO): who (the signed-in user and their role, never a header value)
/// did what when: read a customer's view and why, signed in or failed to, changed an account's roles.
/// </summary>
public sealed class AccessLogEntry
{
    public long Id { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Who { get; init; }
    public required string Role { get; init; }
    /// <summary>One of <see cref="AccessActions"/>.</summary>
    public required string Action { get; init; }
    /// <summary>The customer read (E.164), when the action is a read.</summary>
    public string? PhoneNumber { get; init; }
    public string? Why { get; init; }
}

public static class AccessActions
{
    public const string Read = "read";
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in-failed";
    public const string SignOut = "sign-out";
    public const string AccountCreated = "account-created";
    public const string RolesChanged = "roles-changed";
    public const string PasswordReset = "password-reset";
    public const string MachineClientCreated = "machine-client-created";
    public const string MachineClientDeleted = "machine-client-deleted";
}

public static class AccessLog
{
    /// <summary>Free text in the log (a user name someone typed, a reason) is cut to this length.</summary>
    public const int MaxText = 200;

    /// <summary>An entry with every free text made safe (<see cref="Clip"/>).</summary>
    public static AccessLogEntry Entry(DateTimeOffset at, string who, string role, string action, string? phoneNumber = null, string? why = null) =>
        new() { At = at, Who = Clip(who), Role = Clip(role, 64), Action = action, PhoneNumber = phoneNumber, Why = why is null ? null : Clip(why) };

    /// <summary>
    /// User input made safe for any log: cut to <paramref name="max"/> characters and control characters escaped,
    /// so a typed name can neither fill the log nor forge a line of it.
    /// </summary>
    public static string Clip(string? text, int max = MaxText)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var safe = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (char.IsControl(c)) safe.Append($"\\u{(int)c:x4}");
            else safe.Append(c);
            // One over the limit is enough to know it must be cut.
            if (safe.Length > max) return safe.ToString(0, max - 1) + "…";
        }
        return safe.ToString();
    }
}
