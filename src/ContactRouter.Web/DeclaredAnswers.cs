using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;

namespace ContactRouter.Web;

/// <summary>
/// What every endpoint of the API declares besides its own answers, so that the OpenAPI document (made from endpoint
/// metadata) is the API: the refusals the pipeline gives before a handler runs, and the limits of its route values,
/// query parameters and headers, which are checked here before the handler runs.
/// </summary>
public static class DeclaredAnswers
{
    private static readonly string[] ProblemJson = ["application/problem+json"];

    public static RouteGroupBuilder WithDeclaredAnswers(this RouteGroupBuilder api)
    {
        api.AddEndpointFilterFactory(CheckParameters);
        // Finally: after every endpoint's own conventions, so its policy, body and rate limit are known.
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            void Add(int status)
            {
                if (!metadata.OfType<IProducesResponseTypeMetadata>().Any(p => p.StatusCode == status))
                    metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ProblemJson));
            }
            // A body that declares a length over the limit is refused before routing (SecurityHeaders), whatever the method.
            Add(StatusCodes.Status413PayloadTooLarge);
            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                Add(StatusCodes.Status401Unauthorized);
                Add(StatusCodes.Status403Forbidden);
            }
            // A change made with a session cookie needs the antiforgery token, signed in or not (SecuritySetup.CheckAntiforgery).
            var methods = metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
            if (methods.Any(m => !HttpMethods.IsGet(m) && !HttpMethods.IsHead(m))) Add(StatusCodes.Status403Forbidden);
            // A body: malformed JSON or chunks (400), too large while read (413), not JSON (415).
            if (metadata.OfType<IAcceptsMetadata>().Any())
            {
                Add(StatusCodes.Status400BadRequest);
                Add(StatusCodes.Status415UnsupportedMediaType);
            }
            // A parameter that does not parse as its type, or breaks its declared limit.
            if (metadata.OfType<MethodInfo>().LastOrDefault() is { } handler && handler.GetParameters().Any(p => Bound(p) && (Rules(p).Length > 0 || !IsText(p))))
                Add(StatusCodes.Status400BadRequest);
            if (metadata.OfType<EnableRateLimitingAttribute>().Any()) Add(StatusCodes.Status429TooManyRequests);
        });
        return api;
    }

    /// <summary>
    /// Checks the handler's route values, query parameters and headers against the validation attributes they carry
    /// (<see cref="MaxLengthAttribute"/>, <see cref="RangeAttribute"/>, <see cref="RegularExpressionAttribute"/>,
    /// <see cref="OneOfAttribute"/>): the attribute the document shows is the rule, and a value that breaks it is a 400
    /// naming it. Absent optional values are not checked.
    /// </summary>
    private static EndpointFilterDelegate CheckParameters(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var checks = context.MethodInfo.GetParameters()
            .Select((p, i) => (Index: i, Name: NameOf(p), Rules: Rules(p)))
            .Where(c => c.Rules.Length > 0)
            .ToArray();
        if (checks.Length == 0) return next;
        return invocation =>
        {
            foreach (var (index, name, rules) in checks)
                if (invocation.Arguments[index] is { } value && rules.FirstOrDefault(r => !r.IsValid(value)) is { } broken)
                    return ValueTask.FromResult<object?>(Problems.Invalid(name, broken.FormatErrorMessage(name)));
            return next(invocation);
        };
    }

    private static ValidationAttribute[] Rules(ParameterInfo p) => p.GetCustomAttributes<ValidationAttribute>(inherit: false).ToArray();

    /// <summary>The name the client uses: a header's or query's own name when it has one, else the parameter's.</summary>
    private static string NameOf(ParameterInfo p) =>
        p.GetCustomAttribute<FromHeaderAttribute>()?.Name ?? p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name!;

    /// <summary>Whether the framework binds it from the request's route, query or headers (not a service, the context or the body).</summary>
    private static bool Bound(ParameterInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        return type == typeof(string) || type.IsPrimitive || type == typeof(Guid) || type == typeof(DateOnly) || type == typeof(DateTimeOffset);
    }

    private static bool IsText(ParameterInfo p) => p.ParameterType == typeof(string);
}
