// The peer a Node.js user writes first: express with express.static and nothing else.
// node express-static.mjs ROOT PORT
import express from 'express';

const [root, port] = process.argv.slice(2);
const app = express();
app.use(express.static(root));
app.listen(Number(port), '127.0.0.1');
