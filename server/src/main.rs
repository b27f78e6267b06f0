use app::backend::platform::config::Config;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Before any thread exists: arenas are made per thread as they allocate.
    haggle_server::tune_allocator();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(err) => {
            eprintln!("haggle: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("haggle: {err}");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => {}
        Some("admin") => return haggle_server::admin_cli::run(&config, &args[1..]).await,
        Some("demo") => return haggle_server::demo_cli::run(&config, &args[1..]).await,
        Some(_) => {
            eprintln!("{}", haggle_server::admin_cli::USAGE);
            eprintln!("{}", haggle_server::demo_cli::USAGE);
            eprintln!("(without arguments, haggle starts the server)");
            return ExitCode::from(2);
        }
    }
    haggle_server::telemetry::init(config.log_json);
    let addr = config.site_addr;
    let state = match haggle_server::prepare(config).await {
        Ok(state) => state,
        Err(err) => {
            tracing::error!(error = %err, "could not start");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(error = %err, %addr, "could not listen");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("Haggle is listening on http://{addr}");
    println!("Haggle is running at http://{addr}");
    match haggle_server::serve(listener, state, haggle_server::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "server failed");
            ExitCode::FAILURE
        }
    }
}
