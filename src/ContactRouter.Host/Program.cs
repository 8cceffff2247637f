using ContactRouter.Components;
using ContactRouter.Telephony;
using ContactRouter.Web;

// Settings are bound once at start, so watching appsettings for changes buys nothing; the watcher covers the content root
// recursively (the repository under `dotnet run`, with the SQLite file's writes) and cost 8 % of the CPU in a trace.
// Given first, so a later --hostBuilder:reloadConfigOnChange=true still wins.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
builder.AddServiceDefaults();
builder.AddContactRouter();
builder.AddTelephony();
var hosting = builder.Configuration.GetSection(HostingOptions.Section).Get<HostingOptions>() ?? new HostingOptions();
// Problem answers everywhere (a worker-only process too: its exception handler writes them).
builder.Services.AddProblemDetails();
if (hosting.Api) builder.AddRouterApi();

var app = builder.Build();
// A body Kestrel refuses while reading (too large, malformed chunks) is the client's fault: its own status, not 500.
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : 500 });
// A status without a body (401, 403, 404, 405) gets a problem answer whatever the client accepts: the default handler
// answers text/plain to a client that asks for text/html or XML; Results.Problem writes the JSON then anyway.
app.UseStatusCodePages(context => Results.Problem(statusCode: context.HttpContext.Response.StatusCode).ExecuteAsync(context.HttpContext));
// A worker-only process (Router:Api=false) still answers /health and /alive; the consoles and sign-in come with the API.
if (hosting.Api)
{
    app.UseSecurityHeaders();
    app.MapConsoles();
    app.UseRouterSecurity();
    app.MapRouterApi();
}
app.MapDefaultEndpoints();
app.Run();

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
