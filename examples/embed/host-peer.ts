// The app's own host peer: a separate process the subsystem starts, running the app's handlers.
import { runPeer } from 'launcher-saga';

await runPeer({
  name: 'host',
  handlers: {
    greet: (command) => ({ greeting: `hello, ${String(command.user)}` }),
  },
});
