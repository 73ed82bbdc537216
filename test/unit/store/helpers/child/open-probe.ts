// Child process: opens the database named on the command line with the store's openDatabase and prints the outcome as
// JSON. Used to see what another (unprivileged) user gets for a file or folder it may not write.
import { openDatabase } from '../../../../../main/store/db';

const path = process.argv[2];
if (!path) throw new Error('usage: open-probe PATH');
const opened = openDatabase(path);
if (opened.ok) opened.db.close();
process.stdout.write(JSON.stringify(opened.ok ? { ok: true } : opened) + '\n');
