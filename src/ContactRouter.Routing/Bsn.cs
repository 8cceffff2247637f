namespace ContactRouter.Routing;

/// <summary>
/// The citizen service number (burgerservicenummer). Personal data of the most sensitive kind here:
/// it never travels in a bus message or a log line, and leaves the API only masked to its last 4 digits.
/// </summary>
public static class Bsn
{
    public const int Digits = 9;

    /// <summary>Nine digits passing the "elfproef": 9·d1 + 8·d2 + … + 2·d8 − 1·d9 divisible by 11.</summary>
    public static bool IsValid(string? bsn)
    {
        if (bsn is null || bsn.Length != Digits || !bsn.All(char.IsAsciiDigit)) return false;
        var sum = 0;
        for (var i = 0; i < 8; i++) sum += (9 - i) * (bsn[i] - '0');
        sum -= bsn[8] - '0';
        return sum % 11 == 0 && sum != 0;
    }

    public static string Mask(string bsn) => "*****" + bsn[^4..];
}
