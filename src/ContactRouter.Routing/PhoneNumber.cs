using System.Text.RegularExpressions;

namespace ContactRouter.Routing;

/// <summary>
/// Phone numbers in E.164 (+31612345678), the customer's key across centres. Dutch national notation
/// (06…, 010…) and the 0031 prefix are accepted and rewritten; anything else must already be international.
/// </summary>
public static partial class PhoneNumber
{
    /// <summary>The longest input taken: E.164 is at most 16 characters, the rest room for spaces, dashes and brackets.</summary>
    public const int MaxInputLength = 32;

    /// <summary>The characters an input may hold: digits, a plus and the separators that are dropped.</summary>
    public const string InputPattern = @"^[+0-9\s().-]+\z";

    public static bool TryNormalise(string? input, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(input) || input.Length > MaxInputLength) return false;
        var digits = Separators().Replace(input.Trim(), "");
        if (digits.StartsWith("00", StringComparison.Ordinal)) digits = "+" + digits[2..];
        else if (digits.StartsWith('0')) digits = "+31" + digits[1..];
        if (!E164().IsMatch(digits)) return false;
        // Dutch numbers are 9 digits after the country code.
        if (digits.StartsWith("+31", StringComparison.Ordinal) && digits.Length != 12) return false;
        e164 = digits;
        return true;
    }

    [GeneratedRegex(@"[\s\-\.\(\)]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();
}
