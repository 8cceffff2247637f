using ContactRouter.Components;
using ContactRouter.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddContactRouter();
var hosting = builder.Configuration.GetSection(HostingOptions.Section).Get<HostingOptions>() ?? new HostingOptions();
// Problem answers everywhere (a worker-only process too: its exception handler writes them).
builder.Services.AddProblemDetails();
if (hosting.Api) builder.AddRouterApi();

var app = builder.Build();
// A body Kestrel refuses while reading (too large, malformed chunks) is the client's fault: its own status, not 500.
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : 500 });
app.UseStatusCodePages();
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
