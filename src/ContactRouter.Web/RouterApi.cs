using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ContactRouter.Web;

/// <summary>
/// The HTTP API of docs/api-contract.md, one file per resource. Shape checks happen there and send nothing when they
/// fail; rules that depend on a centre's state (whose offer is it?) are the centre worker's, asked through
/// <see cref="CentreClient"/>. Every endpoint names its authorization policy (<see cref="Policies"/>).
/// </summary>
public static class RouterApi
{
    public static IHostApplicationBuilder AddRouterApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // Routing refuses a non-JSON body (415) before our handlers run; name the field there too.
            if (c.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && !c.ProblemDetails.Extensions.ContainsKey("field"))
            {
                const string detail = "Send a JSON body with Content-Type: application/json.";
                c.ProblemDetails.Detail ??= detail;
                c.ProblemDetails.Extensions["field"] = "body";
                c.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [detail] };
            }
        });
        // A parameter that does not bind (hours=abc) throws instead of answering a bare 400, so that ClientFaults names it.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ClientFaults>();
        builder.Services.AddApiDocument();
        builder.Services.AddScoped<CentreClient>();
        // The consoles' live feed: pushed from the centres' events, one store read per change for all consoles.
        builder.Services.AddSingleton<ConsoleFeed>();
        builder.Services.AddSingleton<ConsolePresence>();
        builder.Services.AddHostedService<ConsoleFeedConnection>();
        builder.AddRouterSecurity();
        return builder;
    }

    public static IEndpointRouteBuilder MapRouterApi(this IEndpointRouteBuilder app)
    {
        // The contract is public (the project is open source); it holds no data.
        app.MapOpenApi().AllowAnonymous();
        var api = app.MapGroup("").WithDeclaredAnswers();
        api.MapSessionApi();
        api.MapContactsApi();
        api.MapCommandsApi();
        api.MapAgentsApi();
        api.MapCentresApi();
        api.MapPeopleApi();
        api.MapCustomerApi();
        api.MapCallbackApi();
        api.MapReportApi();
        api.MapAccountsApi();
        api.MapAccessLogApi();
        return app;
    }
}
