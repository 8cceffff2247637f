using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace ContactRouter.Web;

/// <summary>
/// The limits several resources share. Every value the API takes has a length or a range: the endpoint checks it with
/// the constant the OpenAPI document shows (an attribute on the request field or handler parameter names the same one).
/// </summary>
public static class Limits
{
    /// <summary>
    /// Ids the router makes or an administrator gives: contacts (32 hex digits, a callback's a little longer), callbacks,
    /// agents, machine clients. Anything much longer is nobody's.
    /// </summary>
    public const int Id = 64;

    /// <summary>Identity's own column for a user name: the longest a built-in account's name can be, whoever made it.</summary>
    public const int UserName = 256;

    /// <summary>A person's name: an agent's, a customer's, the one a callback is for, an account's display name.</summary>
    public const int Name = 200;

    /// <summary>RFC 5321: a path is at most 256 octets with its brackets, so an address at most 254 characters.</summary>
    public const int Email = 254;

    /// <summary>A client's Idempotency-Key (the exchange's call id, a desk's booking id).</summary>
    public const int IdempotencyKey = 100;
}

/// <summary>
/// The value is one of a list the code already keeps (the centres, the channels, the roles): the OpenAPI document shows
/// that list as the field's <c>enum</c> (for a list field, its items'; for a map, its keys'), and the endpoint checks the
/// value against the same list. On a handler parameter the value is checked before the handler runs
/// (<see cref="DeclaredAnswers"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(Type owner, params string[] members) : ValidationAttribute
{
    private IReadOnlyList<object>? _values;

    /// <summary>The values of the static members named, in their order, without repeats.</summary>
    public IReadOnlyList<object> Values => _values ??= members
        .SelectMany(name => (owner.GetMember(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static) switch
        {
            [PropertyInfo p] => (IEnumerable)p.GetValue(null)!,
            [FieldInfo f] => (IEnumerable)f.GetValue(null)!,
            _ => throw new InvalidOperationException($"{owner.Name} has no static list {name}."),
        }).Cast<object>())
        .Distinct().ToList();

    public override bool IsValid(object? value) => value switch
    {
        null => true,
        string or int => Values.Contains(value),
        IDictionary map => map.Keys.Cast<object>().All(Values.Contains),
        IEnumerable items => items.Cast<object?>().All(i => i is not null && Values.Contains(i)),
        _ => false,
    };

    public override string FormatErrorMessage(string name) => $"{name} is one of {string.Join(", ", Values)}.";
}
