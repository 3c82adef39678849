// The only Node.js global the journey uses beyond what the DOM library declares (fetch,
// Request, Response, console, setTimeout): the environment, and the exit code. Declared here
// so the build does not depend on @types/node, which contract/package.json does not pin.
declare const process: {
    readonly env: Readonly<Record<string, string | undefined>>;
    exitCode?: number;
};
